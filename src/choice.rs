//! Options with a fixed set of named values (`--format csv`), listed here so that every front
//! end (the CLI, Python) offers the same names and help without the library knowing any of them.

/// A fieldless enum whose values are chosen by name.
pub trait Choice: Copy + PartialEq + 'static {
    /// Every value with its name and a line of help, in the order they are offered.
    const ALL: &'static [(Self, &'static str, &'static str)];

    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(value, _, _)| *value == self)
            .map_or("", |(_, name, _)| name)
    }

    /// The value called `name`, ignoring ASCII case.
    fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, n, _)| n.eq_ignore_ascii_case(name))
            .map(|(value, _, _)| *value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::InputFormat;
    use crate::learn::train::{Prior, Scaling};
    use crate::model::linear::{Pooling, Task};
    use crate::write::aggregate::GroupBy;
    use crate::write::format::OutputFormat;

    fn names_round_trip<T: Choice + std::fmt::Debug>() {
        for &(value, name, help) in T::ALL {
            assert_eq!(T::from_name(name), Some(value), "{name}");
            assert_eq!(value.name(), name);
            assert!(!help.is_empty(), "{name} has no help");
        }
        let mut names: Vec<&str> = T::ALL.iter().map(|(_, n, _)| *n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), T::ALL.len(), "a name is listed twice");
    }

    #[test]
    fn every_choice_is_named_once_and_parses_back() {
        names_round_trip::<GroupBy>();
        names_round_trip::<InputFormat>();
        names_round_trip::<Pooling>();
        names_round_trip::<OutputFormat>();
        names_round_trip::<Prior>();
        names_round_trip::<Scaling>();
        names_round_trip::<Task>();
        names_round_trip::<crate::input::TextEncoding>();
        assert_eq!(Pooling::from_name("Opinion"), Some(Pooling::Opinion));
        assert_eq!(OutputFormat::from_name("XLSX"), Some(OutputFormat::Xlsx));
    }
}
