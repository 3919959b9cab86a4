"""Pure domain core: money, rounding, tax, totals, state transitions and domain errors.

Nothing in this package touches a database, the web or the network (enforced by an
import contract in CI).
"""
