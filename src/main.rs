use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

#[derive(Parser)]
#[command(
    name = "stance",
    version,
    about = "Rates each article's stance on holding a listed company, and explains it"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Score(cmd::score::Args),
    Train(cmd::train::Args),
    Eval(cmd::eval::Args),
    Explain(cmd::explain::Args),
    Lexicon(cmd::lexicon::Args),
    Aggregate(cmd::aggregate::Args),
    Targets(cmd::targets::Args),
    Scorecard(cmd::scorecard::Args),
    Workbook(cmd::workbook::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Score(args) => cmd::score::run(args),
        Command::Train(args) => cmd::train::run(args),
        Command::Eval(args) => cmd::eval::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Lexicon(args) => cmd::lexicon::run(args),
        Command::Aggregate(args) => cmd::aggregate::run(args),
        Command::Targets(args) => cmd::targets::run(args),
        Command::Scorecard(args) => cmd::scorecard::run(args),
        Command::Workbook(args) => cmd::workbook::run(args),
    };
    match result {
        Ok(code) => code,
        // A reader that stopped early (`| head`) has what it wanted.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            cmd::to_stderr!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether writing failed because the reader of a pipe went away, however the error was wrapped.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        let io = cause.downcast_ref::<std::io::Error>().or_else(|| {
            match cause.downcast_ref::<csv::Error>().map(csv::Error::kind) {
                Some(csv::ErrorKind::Io(e)) => Some(e),
                _ => cause.downcast_ref::<stance::error::Error>()?.io(),
            }
        });
        io.is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
