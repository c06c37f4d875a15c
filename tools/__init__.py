"""Maintainer tools (evaluation, quality gate, FAQ tool, usage report, benchmark). Nothing at run time imports them."""
