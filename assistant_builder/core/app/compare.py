"""Compare through the app: the variants to start from (the assistant and its drafts), the
comparison itself on the app's one answering session (answers kept in a scratch store, never
in the person's history), "Keep this one", the drafts, and the assistant's check questions
answered by every variant."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from assistant_builder.core.assistants.session import AnswerSession
from assistant_builder.core.assistants.store import AssistantStore, model_ref
from assistant_builder.core.cancel import NEVER, CancelToken
from assistant_builder.core.compare.checked import VariantChecked, check_variants
from assistant_builder.core.compare.drafts import SAVED, Draft, DraftStore
from assistant_builder.core.compare.plan import MAX_VARIANTS
from assistant_builder.core.compare.run import AnswerKept, CompareEvent, Variant, compare_kept
from assistant_builder.core.compare.vary import vary
from assistant_builder.core.services import Services


class CompareUseCases:
    """Mixed into App (core/app/app.py), which sets these three."""

    services: Services
    assistants: AssistantStore
    session: AnswerSession

    @property
    def drafts(self) -> DraftStore:
        return DraftStore(self.assistants)

    def compare_start(self, assistant_id: str) -> list[Variant]:
        """What Compare opens with: the assistant as saved, then its drafts (up to four in
        all); with no drafts, a copy to change."""
        assistant = self.assistants.get(assistant_id)
        variants = [Variant(SAVED, assistant)]
        for draft in self.drafts.list(assistant_id)[: MAX_VARIANTS - 1]:
            variants.append(Variant(draft.name, draft.assistant))
        if len(variants) == 1:
            variants.append(Variant("A", replace(assistant)))
        return variants

    def compare_variants(
        self, variants: Sequence[Variant], question: str, *, cancel: CancelToken = NEVER
    ) -> Iterator[CompareEvent | AnswerKept]:
        """One question to every variant on the same passages (core/compare/run.py)."""
        return compare_kept(self.session, variants, question, cancel=cancel)

    def check_variants(
        self, variants: Sequence[Variant], *, cancel: CancelToken = NEVER
    ) -> Iterator[VariantChecked]:
        """The assistant's check questions answered by each variant (core/compare/checked.py)."""
        return check_variants(self.session, variants, cancel=cancel)

    def keep_variant(
        self, chosen: Variant, others: Sequence[Variant], *, owner: str, as_new: bool = False
    ) -> Variant:
        """ "Keep this one": the chosen variant saved (into ``owner`` or as a new assistant),
        the others kept as drafts of ``owner``."""
        kept = self.drafts.keep(chosen, others, owner=owner, as_new=as_new)
        return Variant(chosen.name, kept)

    def vary_variant(
        self,
        variant: Variant,
        *,
        system_prompt: str | None = None,
        model_id: str | None = None,
        preset: str | None = None,
        temperature: float | None = None,
        top_k: int | None = None,
    ) -> Variant:
        """The variant with the person's change (core/compare/vary.py); ``model_id``: an
        installed model."""
        model = None
        if model_id is not None and model_id != variant.assistant.model.id:
            model = model_ref(self.services.models.get(model_id))
        changed = vary(
            variant.assistant, system_prompt=system_prompt, model=model, preset=preset,
            temperature=temperature, top_k=top_k,
        )  # fmt: skip
        return replace(variant, assistant=changed)

    def compare_drafts(self, assistant_id: str) -> list[Draft]:
        return self.drafts.list(assistant_id)

    def delete_draft(self, draft: Draft) -> None:
        self.drafts.delete(draft)
