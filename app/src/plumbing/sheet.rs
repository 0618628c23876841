//! CSV files people open in Excel or WPS (exports, payout files): UTF-8 with a BOM, and no
//! cell a spreadsheet would run as a formula (`shared::text::spreadsheet_safe`). Every export
//! writes through this, so none can forget it.
use super::errors::AppError;
use super::state::internal;
use crate::shared::text::spreadsheet_safe;

pub struct Sheet(csv::Writer<Vec<u8>>);

impl Sheet {
    pub fn new<S: AsRef<str>>(header: impl IntoIterator<Item = S>) -> Result<Sheet, AppError> {
        let mut sheet = Sheet(csv::Writer::from_writer(Vec::new()));
        sheet.row(header)?;
        Ok(sheet)
    }

    pub fn row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) -> Result<(), AppError> {
        let cells: Vec<String> = cells.into_iter().map(|c| spreadsheet_safe(c.as_ref()).into_owned()).collect();
        self.0.write_record(&cells).map_err(internal)
    }

    pub fn finish(self) -> Result<String, AppError> {
        String::from_utf8(self.0.into_inner().map_err(internal)?).map_err(internal)
    }
}
