"""Reading and checking what a review names: parameters, frameworks, findings, checklists, the EHCP
audit, the SEF, performance files; the personal-data screen.
"""
