"""The one list of VNG Excel functions, from which UDFs, the evaluator table, VBA wrappers and docs are made."""
