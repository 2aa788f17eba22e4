//! Writing listings to stdout when the reader may leave early (`billgap clients | head -1`).
//!
//! `println!` panics when the pipe is closed; these commands write through `out!` instead, which
//! returns the error, and [`finish`] treats a broken pipe as the normal end it is: the reader
//! has all it wanted.

/// `println!` that returns the write error instead of panicking on a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}
pub(crate) use out;

/// A command's result, with a closed stdout (`| head`) read as success.
pub fn finish(result: color_eyre::Result<super::Outcome>) -> color_eyre::Result<super::Outcome> {
    match result {
        Err(error) if is_broken_pipe(&error) => Ok(super::Outcome::Done),
        other => other,
    }
}

fn is_broken_pipe(error: &color_eyre::Report) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
