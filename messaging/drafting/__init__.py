"""Drafting: the seam between composed template drafts and who writes the final text.

`seam` defines the `Drafter` and `ModelCache` protocols and the template drafter (the default),
`caller` the calls (client, structured output learned from the server, cache, budget), `model` the
OpenAI drafter on top (checks, one retry, template fallback),
`prompt` what a model is shown and how its reply is finished, `grounding` and `ai_tells` the checks
a model draft must pass, `pricing` the price table, `jobs` the frame <-> job plumbing.
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "DraftJob": "messaging.drafting.seam",
        "DraftOutcome": "messaging.drafting.seam",
        "Drafter": "messaging.drafting.seam",
        "DraftingStats": "messaging.drafting.seam",
        "ModelCache": "messaging.drafting.seam",
        "ModelCaller": "messaging.drafting.caller",
        "ModelSettings": "messaging.drafting.caller",
        "OpenAIDrafter": "messaging.drafting.model",
        "TemplateDrafter": "messaging.drafting.seam",
        "ai_tells": "messaging.drafting.ai_tells",
        "apply_drafter": "messaging.drafting.jobs",
        "grounding_failures": "messaging.drafting.grounding",
        "known_price": "messaging.drafting.pricing",
        "strip_instructions": "messaging.drafting.grounding",
    },
)
