//! Byte-scanning helpers shared by the scheme parsers.

/// The end of the run of bytes of `class` that starts at `start`: `start` itself when
/// the byte there is not of the class, `s.len()` when the run reaches the end.
pub(crate) fn run_end(s: &[u8], start: usize, class: impl Fn(&u8) -> bool) -> usize {
    let mut end = start;
    while s.get(end).is_some_and(&class) {
        end += 1;
    }
    end
}

/// The end of the run of ASCII digits that starts at `start`.
pub(crate) fn digits_end(s: &[u8], start: usize) -> usize {
    run_end(s, start, u8::is_ascii_digit)
}
