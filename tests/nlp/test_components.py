"""kg.nlp.components: newskg's components are registered in one module, each declaring
truthfully what it reads and writes."""

from __future__ import annotations

import spacy
from spacy.attrs import IDS
from spacy.language import Language

from kg.nlp import components, fastruler, ruler_rules

OURS = {components.NEWLINE_SENTENCES, components.FAST_RULER, components.SELECTIVE_NER}


def test_the_loaded_pipeline_holds_our_three_components(pipeline: Language) -> None:
    factories = {pipeline.get_pipe_meta(name).factory for name in pipeline.pipe_names}
    assert {f for f in factories if f.startswith("newskg_")} == OURS


def test_every_registration_is_made_in_the_components_module(pipeline: Language) -> None:
    # A component function is wrapped by spaCy; the function itself is ours.
    sentences = pipeline.get_pipe(components.NEWLINE_SENTENCES)
    assert getattr(sentences, "__module__", None) == components.__name__
    for factory in (components.FAST_RULER, components.SELECTIVE_NER):
        made = spacy.registry.factories.get(Language.get_factory_name(factory))
        assert made.__module__ == components.__name__


def test_no_component_requires_what_no_earlier_one_assigns(pipeline: Language) -> None:
    analysis = pipeline.analyze_pipes()
    assert all(not problems for problems in analysis["problems"].values()), analysis["problems"]


def test_the_fast_ruler_declares_every_attribute_its_rules_may_set() -> None:
    meta = Language.get_factory_meta(components.FAST_RULER)
    name = {attr: key for key, attr in IDS.items()}
    assert set(meta.assigns) == {f"token.{name[a].lower()}" for a in ruler_rules.SETTABLE}
    assert fastruler.FACTORY == components.FAST_RULER
