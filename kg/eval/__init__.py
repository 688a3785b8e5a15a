"""``kg eval``: newskg's extraction measured against annotated news.

:mod:`kg.eval.attribution` scores who said what on PolNeAR-style gold (next to textacy's
direct quotations), :mod:`kg.eval.entities` entity typing and name clustering on GUM-style
gold (next to bare spaCy NER); the gold is read by :mod:`kg.eval.polnear` and
:mod:`kg.eval.scoring`, and the figures and tables are :mod:`kg.eval.attribution_scores`,
:mod:`kg.eval.entity_scores` and :mod:`kg.eval.figures`.
"""
