"""The discussion-guide builder: add, edit, delete, reorder and preview prompts (added to focus_groups_manage).

Works like the survey builder: with htmx each change answers with the re-rendered guide fragment; without
JavaScript every button is a form and the answer is a 303 back to the guide page. A refused change stores
nothing and shows the form again with what was typed and the message.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm

from civic.accounts.permissions import PLANNERS, staff_required
from civic.consultations.forms import MoveForm, OrderForm
from civic.core.errors import DomainError
from civic.core.htmx import hx_redirect, is_partial_request, render_fragment
from civic.extensions import db
from civic.focus_groups import groups, guide
from civic.focus_groups.forms import KIND_CHOICES, PromptForm
from civic.focus_groups.models import FocusGroup, Prompt, PromptKind, PromptState

GUIDE_PAGE = "focus_groups/manage_guide.html"
GUIDE_PARTIAL = "focus_groups/_partials/guide_list.html"
PROMPT_PAGE = "focus_groups/manage_prompt.html"
EDITOR_PARTIAL = "focus_groups/_partials/guide_editor.html"
PREVIEW_PAGE = "focus_groups/manage_prompt_preview.html"
PREVIEW_PARTIAL = "focus_groups/_partials/guide_preview.html"
NEW_PREFIX = "new-prompt"


def _load(consultation_id: int) -> FocusGroup:
    from civic.focus_groups.views.manage import load_focus_group  # the blueprint module imports this one

    return load_focus_group(consultation_id)


def _prompt(group: FocusGroup, prompt_id: int) -> Prompt:
    prompt = db.session.get(Prompt, prompt_id)
    if prompt is None or prompt.focus_group_id != group.id:
        abort(404)
    return prompt


class FormBook:
    """Each prompt's form on demand; the form that failed keeps what the planner typed and its errors."""

    def __init__(self, group: FocusGroup, failed: FlaskForm | None = None) -> None:
        self.languages = list(group.consultation.languages or ["nb"])
        self.failed = failed

    def _get(self, prefix: str, prompt: Prompt | None = None) -> PromptForm:
        if self.failed is not None and self.failed._prefix == f"{prefix}-":
            return self.failed  # type: ignore[return-value]
        form = PromptForm(formdata=None, prefix=prefix, languages=self.languages)
        if prompt is not None:
            form.fill_from(prompt)
        return form

    def new_prompt(self) -> PromptForm:
        return self._get(NEW_PREFIX)

    def prompt(self, prompt: Prompt) -> PromptForm:
        return self._get(f"prompt-{prompt.id}", prompt)


def guide_context(group: FocusGroup, *, failed: FlaskForm | None = None, **extra: Any) -> dict[str, Any]:
    prompts = list(group.prompts)
    pending = [p for p in prompts if p.state == PromptState.PENDING]
    return {
        "group": group,
        "consultation": group.consultation,
        "prompts": prompts,
        "first_pending_id": pending[0].id if pending else None,
        "last_pending_id": pending[-1].id if pending else None,
        "languages": list(group.consultation.languages or ["nb"]),
        "locked": guide_locked(group),
        "forms": FormBook(group, failed),
        "kind_label": guide.kind_label,
        "prompt_state_label": guide.state_label,
        "kind_choices": KIND_CHOICES,
        "option_kinds": {k.value for k in guide.OPTION_KINDS},
        **extra,
    }


def guide_locked(group: FocusGroup) -> str | None:
    """Why the guide cannot change now (None when it can)."""
    if group.state == "finished":
        return _("This session has finished: its guide can no longer change.")
    if groups.guide_is_locked(group):
        return _("The guide of an asynchronous focus group cannot change once it has opened.")
    return None


def guide_url(group: FocusGroup, anchor: str | None = None) -> str:
    url = url_for("focus_groups_manage.guide_page", consultation_id=group.consultation_id)
    return f"{url}#{anchor}" if anchor else url


def _done(group: FocusGroup, redirect_to: str, *, retarget: bool = False, **ctx: Any) -> Response:
    """A change was stored: the guide fragment for htmx (``retarget``: from an editor, swap the whole guide)."""
    db.session.commit()
    if not is_partial_request():
        return hx_redirect(redirect_to)
    response = render_fragment(GUIDE_PAGE, GUIDE_PARTIAL, **guide_context(group, **ctx))
    if retarget:
        response.headers["HX-Retarget"] = "#guide"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


def _refused(
    group: FocusGroup,
    *,
    status: int,
    failed: FlaskForm | None = None,
    notice: str | None = None,
    page: str = GUIDE_PAGE,
    fragment: str = GUIDE_PARTIAL,
    **ctx: Any,
) -> Response:
    db.session.rollback()
    db.session.refresh(group)
    return render_fragment(page, fragment, status=status, **guide_context(group, failed=failed, notice=notice, **ctx))


@staff_required(*PLANNERS)
def guide_page(consultation_id: int) -> Response:
    group = _load(consultation_id)
    return render_fragment(GUIDE_PAGE, GUIDE_PARTIAL, **guide_context(group))


@staff_required(*PLANNERS)
def add_prompt(consultation_id: int) -> Response:
    group = _load(consultation_id)
    form = PromptForm(prefix=NEW_PREFIX, languages=group.consultation.languages)
    if not form.validate_on_submit():
        return _refused(group, status=422, failed=form, notice=_("Check the new prompt."))
    try:
        prompt = guide.add_prompt(db.session, group, **form.to_fields())
    except DomainError as exc:
        return _refused(group, status=exc.status_code, failed=form, notice=exc.message)
    return _done(group, guide_url(group, f"prompt-{prompt.id}"), message=_("Prompt added."))


def _editor(prompt: Prompt) -> dict[str, Any]:
    return {"page": PROMPT_PAGE, "fragment": EDITOR_PARTIAL, "prompt": prompt}


@staff_required(*PLANNERS)
def edit_prompt(consultation_id: int, prompt_id: int) -> Response:
    group = _load(consultation_id)
    prompt = _prompt(group, prompt_id)
    return render_fragment(PROMPT_PAGE, EDITOR_PARTIAL, **guide_context(group, prompt=prompt))


@staff_required(*PLANNERS)
def update_prompt(consultation_id: int, prompt_id: int) -> Response:
    group = _load(consultation_id)
    prompt = _prompt(group, prompt_id)
    form = PromptForm(prefix=f"prompt-{prompt.id}", languages=group.consultation.languages)
    if not form.validate_on_submit():
        return _refused(group, status=422, failed=form, notice=_("Check the prompt."), **_editor(prompt))
    try:
        guide.update_prompt(db.session, prompt, **form.to_fields())
    except DomainError as exc:
        return _refused(group, status=exc.status_code, failed=form, notice=exc.message, **_editor(prompt))
    return _done(group, guide_url(group, f"prompt-{prompt.id}"), retarget=True, message=_("Prompt saved."))


@staff_required(*PLANNERS)
def delete_prompt(consultation_id: int, prompt_id: int) -> Response:
    group = _load(consultation_id)
    prompt = _prompt(group, prompt_id)
    if not FlaskForm().validate_on_submit():
        return _refused(group, status=400, notice=_("The form has expired. Reload the page and try again."))
    try:
        guide.delete_prompt(db.session, prompt)
    except DomainError as exc:
        return _refused(group, status=exc.status_code, notice=exc.message)
    return _done(group, guide_url(group, "guide"), message=_("Prompt deleted."))


@staff_required(*PLANNERS)
def move_prompt(consultation_id: int, prompt_id: int) -> Response:
    group = _load(consultation_id)
    prompt = _prompt(group, prompt_id)
    form = MoveForm()
    if not form.validate_on_submit():
        return _refused(group, status=400, notice=_("Choose to move up or down."))
    try:
        guide.move_prompt(db.session, prompt, form.offset)
    except DomainError as exc:
        return _refused(group, status=exc.status_code, notice=exc.message)
    return _done(group, guide_url(group, f"prompt-{prompt.id}"), moved_id=prompt.id)


@staff_required(*PLANNERS)
def order_prompts(consultation_id: int) -> Response:
    group = _load(consultation_id)
    form = OrderForm()
    try:
        if not form.validate_on_submit():
            raise ValueError
        guide.reorder_prompts(db.session, group, form.ids())
    except ValueError:
        return _refused(group, status=400, notice=_("The new order could not be read."))
    except DomainError as exc:
        return _refused(group, status=exc.status_code, notice=exc.message)
    return _done(group, guide_url(group, "guide"))


@staff_required(*PLANNERS)
def preview_prompt(consultation_id: int, prompt_id: int) -> Response:
    """The prompt as participants see it (read-only: nothing can be submitted)."""
    group = _load(consultation_id)
    prompt = _prompt(group, prompt_id)
    return render_fragment(PREVIEW_PAGE, PREVIEW_PARTIAL, **guide_context(group, prompt=prompt, PromptKind=PromptKind))


def add_routes(bp: Blueprint) -> None:
    """Register the guide routes on the focus_groups_manage blueprint (URLs under /<consultation_id>/guide)."""
    base = "/<int:consultation_id>/guide"
    prompt = base + "/<int:prompt_id>"
    bp.add_url_rule(base, view_func=guide_page, methods=["GET"])
    bp.add_url_rule(base + "/prompts", view_func=add_prompt, methods=["POST"])
    bp.add_url_rule(base + "/order", view_func=order_prompts, methods=["POST"])
    bp.add_url_rule(prompt, view_func=edit_prompt, methods=["GET"])
    bp.add_url_rule(prompt, endpoint="update_prompt", view_func=update_prompt, methods=["POST"])
    bp.add_url_rule(prompt + "/delete", view_func=delete_prompt, methods=["POST"])
    bp.add_url_rule(prompt + "/move", view_func=move_prompt, methods=["POST"])
    bp.add_url_rule(prompt + "/preview", view_func=preview_prompt, methods=["GET"])
