from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class InstructionKind(models.TextChoices):
    """What a leader's instruction (批示) was written on or given during."""

    DOCUMENT = "document", _("On a document")
    LETTER = "letter", _("On a citizen's letter")
    FIELD_VISIT = "field_visit", _("During a field visit")


class ProposalKind(models.TextChoices):
    """人大代表建议 or 政协委员提案; the labels are short because they name the number too."""

    SUGGESTION = "suggestion", _("Suggestion")
    PROPOSAL = "proposal", pgettext_lazy("kind of proposal", "Proposal")


class Satisfaction(models.TextChoices):
    """The proposer's judgement of the reply (满意 / 基本满意 / 不满意)."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
