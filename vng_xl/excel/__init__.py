"""xlwings glue: the UDF module and the refresh entry point. Thin: the work happens elsewhere."""
