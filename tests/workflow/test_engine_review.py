"""The review helper generates exactly the transitions the tables spelled out by hand before it existed."""
from __future__ import annotations

import pytest

from gradreg.common.errors import DomainError
from gradreg.workflow.engine import REGISTRY, Context
from gradreg.workflow.review import record_rejection, record_return

# Each table as it stood before the review helper: (action, sources, target, roles, label, needs_reason,
# effects, notify), in table order.
TODAY = {
    'offline_signing': [
        ('apply', ('',), 'draft_dept', ('graduate',), '申请电子就业协议书', False, ('hold_graduate', 'capture_graduate'), None),
        ('withdraw', ('draft_dept',), 'draft_withdrawn', ('graduate',), '撤回修改', False, (), None),
        ('resubmit', ('draft_returned', 'draft_withdrawn'), 'draft_dept', ('graduate',), '修改后重新提交', False, ('apply_edits', 'hold_graduate', 'capture_graduate'), None),
        ('approve', ('draft_dept',), 'draft_school', ('department',), '审核通过', False, ('key_fields_agree',), None),
        ('approve', ('draft_school',), 'await_upload', ('school',), '审核通过', False, ('key_fields_agree', 'apply_refresh', 'generate_agreement'), 'notify_parties'),
        ('return', ('draft_dept',), 'draft_returned', ('department',), '退回修改', True, ('record_return',), 'notify_parties'),
        ('return', ('draft_school',), 'draft_returned', ('school',), '退回修改', True, ('record_return',), 'notify_parties'),
        ('reject', ('draft_dept',), 'rejected', ('department',), '审核不通过', True, ('record_rejection',), 'notify_parties'),
        ('reject', ('draft_school',), 'rejected', ('school',), '审核不通过', True, ('record_rejection',), 'notify_parties'),
        ('upload', ('await_upload', 'upload_returned'), 'upload_dept', ('graduate',), '回传盖章协议', False, ('record_upload',), None),
        ('withdraw_upload', ('upload_dept',), 'await_upload', ('graduate',), '撤回重新上传', False, (), None),
        # a 情况说明 without the stamped copy cannot pass (seed 3.3.2)
        ('approve', ('upload_dept',), 'upload_school', ('department',), '{review}通过', False, ('stamped_present', 'key_fields_agree'), None),
        ('approve', ('upload_school',), 'signed', ('school',), '{review}通过', False, ('stamped_present', 'key_fields_agree', 'apply_refresh', 'complete_signing'), 'notify_parties'),
        ('return', ('upload_dept',), 'upload_returned', ('department',), '退回修改', True, ('record_return',), 'notify_parties'),
        ('return', ('upload_school',), 'upload_returned', ('school',), '退回修改', True, ('record_return',), 'notify_parties'),
        ('reject', ('upload_dept',), 'rejected', ('department',), '{review}不通过', True, ('record_rejection',), 'notify_parties'),
        ('reject', ('upload_school',), 'rejected', ('school',), '{review}不通过', True, ('record_rejection',), 'notify_parties'),
        ('abandon', ('await_upload', 'draft_returned', 'draft_withdrawn', 'upload_returned'), 'cancelled', ('graduate',), '撤销申请', False, (), None),
        ('terminate', ('signed',), 'terminated', ('system',), '解约完成', False, (), None),
    ],
    'offline_termination': [
        ('apply', ('',), 'offline_dept', ('graduate',), '申请解约', True, ('record_material',), None),
        ('cancel', ('offline_dept', 'returned'), 'cancelled', ('graduate',), '撤回解约申请', False, (), None),
        ('resubmit', ('returned',), 'offline_dept', ('graduate',), '修改后重新提交', False, ('record_material',), None),
        ('approve', ('offline_dept',), 'school', ('department',), '{review}通过', False, (), None),
        ('approve', ('school',), 'terminated', ('school',), '{review}通过', False, ('end_signing',), 'notify_parties'),
        ('return', ('offline_dept',), 'returned', ('department',), '退回修改', True, ('record_return',), 'notify_parties'),
        ('return', ('school',), 'returned', ('school',), '退回修改', True, ('record_return',), 'notify_parties'),
        ('reject', ('offline_dept',), 'failed', ('department',), '{review}不通过', True, ('record_rejection',), 'notify_parties'),
        ('reject', ('school',), 'failed', ('school',), '{review}不通过', True, ('record_rejection',), 'notify_parties'),
    ],
    'online_signing': [
        ('invite', ('',), 'invited', ('employer',), '发起签约邀请', False, (), 'notify_parties'),
        ('withdraw', ('invited',), 'withdrawn', ('employer',), '撤回邀请', False, (), 'notify_parties'),
        ('decline', ('invited',), 'declined', ('graduate',), '拒绝签约', True, ('record_decline',), 'notify_parties'),
        ('agree', ('invited',), 'agreed', ('graduate',), '同意签约', False, ('not_expired', 'hold_graduate', 'capture_graduate'), 'notify_parties'),
        ('expire', ('invited',), 'expired', ('system',), '邀请过期', False, (), 'notify_parties'),
        ('approve', ('agreed',), 'online_school', ('department',), '{review}通过', False, ('key_fields_agree',), None),
        ('approve', ('online_school',), 'signed', ('school',), '{review}通过', False, ('key_fields_agree', 'apply_refresh', 'generate_agreement', 'complete_signing'), 'notify_parties'),
        ('reject', ('agreed',), 'rejected', ('department',), '{review}不通过', True, ('record_rejection',), 'notify_parties'),
        ('reject', ('online_school',), 'rejected', ('school',), '{review}不通过', True, ('record_rejection',), 'notify_parties'),
        ('terminate', ('signed',), 'terminated', ('system',), '解约完成', False, (), None),
    ],
    'online_termination': [
        ('apply', ('',), 'pending_other', ('employer', 'graduate'), '申请解约', True, (), 'notify_parties'),
        ('cancel', ('pending_other',), 'cancelled', ('employer', 'graduate'), '撤回解约申请', False, (), 'notify_parties'),
        ('agree', ('pending_other',), 'agreed', ('employer', 'graduate'), '同意解约', False, ('record_answer',), 'notify_parties'),
        ('decline', ('pending_other',), 'other_declined', ('employer', 'graduate'), '不同意解约', True, ('record_answer',), 'notify_parties'),
        ('approve', ('agreed',), 'school', ('department',), '{review}通过', False, (), None),
        ('approve', ('school',), 'terminated', ('school',), '{review}通过', False, ('end_signing',), 'notify_parties'),
        ('reject', ('agreed',), 'failed', ('department',), '{review}不通过', True, ('record_rejection',), 'notify_parties'),
        ('reject', ('school',), 'failed', ('school',), '{review}不通过', True, ('record_rejection',), 'notify_parties'),
    ],
    'training_mode_change': [
        ('request', ('',), 'requested', ('department',), '申请修改', True, (), None),
        ('request', ('',), 'submitted', ('school',), '申请修改', True, (), None),  # the school asks itself (seed 3.9)
        ('withdraw', ('requested',), 'withdrawn', ('department',), '撤回', False, (), None),
        ('submit', ('requested',), 'submitted', ('school',), '提交省级审核', False, (), None),
        ('return', ('requested',), 'returned', ('school',), '退回院系', True, (), 'notify_requester'),
        ('approve', ('submitted',), 'approved', ('province',), '审核通过', False, ('apply_training_mode',), 'notify_requester'),
        ('reject', ('submitted',), 'rejected', ('province',), '审核不通过', True, (), 'notify_requester'),
    ],
}

REVIEW_ACTIONS = {"approve", "submit", "return", "reject"}


def rows(name):
    wf = REGISTRY[name]
    return [(t.action, tuple(sorted(t.source)), t.target, tuple(sorted(t.roles)), t.label, t.needs_reason,
             tuple(e.__name__ for e in t.effects), t.notify.__name__ if t.notify else None) for t in wf.transitions]


@pytest.mark.parametrize("name", sorted(TODAY))
def test_each_table_has_the_same_transitions(name):
    assert sorted(rows(name)) == sorted(TODAY[name])


@pytest.mark.parametrize("name", sorted(TODAY))
def test_each_state_offers_each_role_its_moves_in_the_same_order(name):
    """The page's buttons come in table order: per state and role they are unchanged."""
    def offered(table):
        return {(s, r): [row[0] for row in table if s in row[1] and r in row[3]]
                for row in table for s in row[1] for r in row[3]}

    assert offered(rows(name)) == offered(TODAY[name])


@pytest.mark.parametrize("name", sorted(TODAY))
def test_moves_other_than_the_review_keep_their_place(name):
    assert [r for r in rows(name) if r[0] not in REVIEW_ACTIONS] == [
        r for r in TODAY[name] if r[0] not in REVIEW_ACTIONS]


class _Item:
    class _meta:  # noqa: N801  (a model's _meta, as far as record_rejection reads it)
        class _Field:
            choices = [("other", "其他"), ("terms", "协议条款不规范")]

        @staticmethod
        def get_field(name):
            assert name == "reject_category"
            return _Item._meta._Field

    last_reason = reject_category = ""
    returned = False


def _ctx(data=None):
    return Context(actor=None, obj=_Item(), transition=None, reason="材料不清", data=data or {}, ip=None)


def test_a_rejection_needs_a_category_of_the_items_own_choices():
    with pytest.raises(DomainError) as e:
        record_rejection(_ctx({"category": "nonsense"}))
    assert e.value.code == "category_required"
    ctx = _ctx({"category": "terms"})
    record_rejection(ctx)
    assert (ctx.obj.reject_category, ctx.obj.last_reason) == ("terms", "材料不清")
    assert ctx.changed_fields == {"reject_category", "last_reason"}


def test_a_return_keeps_the_reason_and_marks_the_item():
    ctx = _ctx()
    record_return(ctx)
    assert (ctx.obj.last_reason, ctx.obj.returned, ctx.changed_fields) == ("材料不清", True, {"last_reason", "returned"})
