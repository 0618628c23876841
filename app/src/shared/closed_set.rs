//! Closed sets: a fixed vocabulary (a lead's status, a click's channel) is an enum with one
//! spelling in serde, in forms and in the database. Reading an unknown spelling is an error,
//! never a default.

/// What every closed set can do; made by [`closed_set!`](crate::closed_set).
pub trait ClosedSet: Sized + Copy + 'static {
    /// What the set is called in errors: "lead status".
    const NAME: &'static str;
    fn all() -> &'static [Self];
    fn as_str(self) -> &'static str;

    fn parse(s: &str) -> Option<Self> {
        Self::all().iter().copied().find(|v| v.as_str() == s)
    }
}

/// Declares a closed set: the enum, its spellings, `ALL`, `as_str`, `parse`, `Display`,
/// `FromStr` and serde as the spelling.
///
/// ```ignore
/// closed_set! {
///     /// Where a lead stands.
///     pub enum LeadStatus("lead status") { Pending = "pending", Valid = "valid" }
/// }
/// ```
#[macro_export]
macro_rules! closed_set {
    ($(#[$meta:meta])* $vis:vis enum $name:ident($set:literal) {
        $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl $crate::shared::closed_set::ClosedSet for $name {
            const NAME: &'static str = $set;
            fn all() -> &'static [Self] { Self::ALL }
            fn as_str(self) -> &'static str { $name::as_str(self) }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::shared::closed_set::Unknown;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s).ok_or_else(|| $crate::shared::closed_set::Unknown { set: $set, value: s.to_string() })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }

        // In the API's OpenAPI document: a string, one of the set's spellings.
        #[cfg(feature = "ssr")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::Type::String)
                    .enum_values(Some([$($text),+]))
                    .into()
            }
        }

        #[cfg(feature = "ssr")]
        impl utoipa::ToSchema for $name {}
    };
}

/// A spelling that is not in the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown {
    pub set: &'static str,
    pub value: String,
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unknown {} {:?}", self.set, self.value)
    }
}

impl std::error::Error for Unknown {}

/// A closed-set value as a form or link sent it: in the set, or what was sent instead, so
/// that the handler refuses it with an error naming the field rather than failing to decode
/// the whole request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Sent<T> {
    Known(T),
    Unknown(String),
}

impl<T> From<T> for Sent<T> {
    fn from(value: T) -> Self {
        Sent::Known(value)
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Sent<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sent::Known(v) => v.fmt(f),
            Sent::Unknown(s) => f.write_str(s),
        }
    }
}

impl<T: Copy> Sent<T> {
    /// The value, or `err` when it is not in the set.
    pub fn known<E>(&self, err: impl FnOnce() -> E) -> Result<T, E> {
        match self {
            Sent::Known(v) => Ok(*v),
            Sent::Unknown(_) => Err(err()),
        }
    }
}

#[cfg(test)]
mod tests {
    crate::closed_set! {
        enum Colour("colour") { Red = "red", DarkBlue = "dark_blue" }
    }

    #[test]
    fn one_spelling_everywhere_and_unknown_is_an_error() {
        assert_eq!(Colour::DarkBlue.as_str(), "dark_blue");
        assert_eq!(Colour::parse("red"), Some(Colour::Red));
        assert_eq!(serde_json::to_string(&Colour::DarkBlue).unwrap(), "\"dark_blue\"");
        assert_eq!(serde_json::from_str::<Colour>("\"red\"").unwrap(), Colour::Red);
        let err = serde_json::from_str::<Colour>("\"green\"").unwrap_err().to_string();
        assert!(err.contains("unknown colour \"green\""), "{err}");
        assert_eq!("green".parse::<Colour>().unwrap_err().to_string(), "unknown colour \"green\"");
    }

    #[test]
    fn a_sent_value_keeps_what_is_not_in_the_set() {
        use super::Sent;
        let known: Sent<Colour> = serde_json::from_str("\"red\"").unwrap();
        assert_eq!(known.known(|| ()), Ok(Colour::Red));
        let unknown: Sent<Colour> = serde_json::from_str("\"fax\"").unwrap();
        assert_eq!(unknown, Sent::Unknown("fax".into()));
        assert_eq!(unknown.known(|| "named"), Err("named"));
    }
}
