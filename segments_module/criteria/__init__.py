"""Contact criteria: the model, the filter syntax and the compiler to SQL."""
