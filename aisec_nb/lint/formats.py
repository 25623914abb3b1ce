"""The lint output formats (a constant the CLI needs before anything heavy is imported)."""

FORMATS = ("text", "json", "sarif", "github")
