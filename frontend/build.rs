//! Generates the `.ir` parser from `src/grammar.lalrpop`.
fn main() {
    lalrpop::process_src().expect("lalrpop grammar");
}
