"""Composing: an account's facts and the sender's specs -> rendered subject and body per contact and step.

`copy_blocks` turns pain points, growth signals and prior solutions into opener, angle and bridge
lines (`messaging.yaml`), `sender` is who is writing (`sender.yaml`), `templates` loads the sandboxed
Jinja2 templates, `render` fills them for every contact and step.
"""

from __future__ import annotations

from targeting.lazy import lazy_face

__all__, __getattr__ = lazy_face(
    __name__,
    {
        "MessagingSpec": "messaging.composing.copy_blocks",
        "Sender": "messaging.composing.sender",
        "TemplateSet": "messaging.composing.templates",
        "copy_blocks": "messaging.composing.copy_blocks",
        "load_messaging": "messaging.composing.copy_blocks",
        "load_sender": "messaging.composing.sender",
        "load_templates": "messaging.composing.templates",
        "render_drafts": "messaging.composing.render",
    },
)
