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
        Command::Workbook(args) => cmd::workbook::run(args),
    };
    match result {
        Ok(code) => code,
        // A reader that stopped early (`| head`) has what it wanted.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
