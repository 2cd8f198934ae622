import pytest

from gradreg.signing import services
from gradreg.signing.models import SigningStatus as S

TERMS = dict(position="软件工程师", job_category="21", work_region="440106", monthly_salary="12000",
             probation_months="3", service_years="2", breach_terms="违约金5000元", archive_unit="", archive_address="",
             hukou_unit="", hukou_address="", other_terms="")


@pytest.mark.django_db
def test_online_happy_path(world, django_capture_on_commit_callbacks):
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        s = services.invitation_create(actor=w.u_employer, name="张三", id_number=w.zhangsan.id_number, terms=TERMS)
    assert s.status == S.INVITED
    s = services.signing_act(actor=w.u_zhangsan, pk=s.pk, action="agree")
    assert s.status == S.AGREED
    s = services.signing_act(actor=w.wang, pk=s.pk, action="approve")
    s = services.signing_act(actor=w.qian, pk=s.pk, action="approve")
    assert s.status == S.SIGNED
    assert s.agreement_no.startswith("10001-2026-")
    assert len(s.agreement_sha256) == 64
