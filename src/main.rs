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
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
