pub mod match_names;
