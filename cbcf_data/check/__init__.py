"""Layer 4, validation: `validate()` and the `Report` of located issues it returns.

One module per layer of a run — `descriptor` (1), `structure` (2), `rows` (3 and 4), `rules/` (5)
— sharing one `state.Run`; `bundle` adds the contributed-bundle input; `explain` words Pydantic's
errors; `profile` has frictionless judge the descriptor. Imports `model`, `io` and `dataset`.
"""
