"""Importing XLSForms (ODK, KoboToolbox, SurveyCTO) as questionnaire bundles.

`intake-tui questionnaire import-xlsform FORM --out DIR` reads the form with pyxform (imported
lazily: the core and the TUI never need it), translates it (convert.py, expressions.py), writes
the bundle folder (writer.py) and lists everything not carried over in IMPORT-REPORT.md
(report.py). docs/xlsform.md has the mapping table.
"""
