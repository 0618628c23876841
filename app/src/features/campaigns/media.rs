//! Uploaded images: what is accepted. The type is read from the bytes, never from the name or
//! the browser's claim, and only raster formats a phone shows are taken (no SVG: it can
//! carry script).
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Empty,
    TooLarge,
    NotAnImage,
}

/// The content type of an acceptable image, or why it is refused.
pub fn check(bytes: &[u8]) -> Result<&'static str, Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(Refusal::TooLarge);
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Ok("image/webp")
    } else {
        Err(Refusal::NotAnImage)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_png_jpeg_and_webp_up_to_two_megabytes() {
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0];
        assert_eq!(check(&png), Ok("image/png"));
        assert_eq!(check(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert_eq!(check(b"RIFF\0\0\0\0WEBPVP8 "), Ok("image/webp"));
        assert_eq!(check(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), Err(Refusal::NotAnImage));
        assert_eq!(check(b""), Err(Refusal::Empty));
        let mut big = png.to_vec();
        big.resize(MAX_BYTES + 1, 0);
        assert_eq!(check(&big), Err(Refusal::TooLarge));
        big.truncate(MAX_BYTES);
        assert_eq!(check(&big), Ok("image/png"));
    }
}
