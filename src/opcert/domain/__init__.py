"""The pure domain: rules of special operation certificates, no I/O.

Standard library plus python-stdnum (identity numbers) and chinesecalendar
(working days) only. Import from the submodules; this package re-exports
nothing, so importing one rule does not load the others.
"""
