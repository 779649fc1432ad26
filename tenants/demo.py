"""Demo startups for the demo installation (grown by the startups issue)."""

from __future__ import annotations

from incubator.models import Base
from tenants.models import LegalForm, Startup, StartupStatus


async def load_tenants(bases: dict[str, Base]) -> dict[str, int]:
    """Create the demo startups; returns the startup id of each demo founder."""
    aqiong = await Startup.create(
        base=bases["CDCK"],
        name="昌都市卡若区童心课后托管服务有限公司",
        legal_form=LegalForm.LIMITED_COMPANY,
        uscc="91540302MA6T1X2Y3A",
        status=StartupStatus.INCUBATING,
    )
    await Startup.create(
        base=bases["DSJ"],
        name="拉萨雪域青稞文创有限公司",
        legal_form=LegalForm.LIMITED_COMPANY,
        status=StartupStatus.INCUBATING,
    )
    await Startup.create(
        base=bases["DSJ"],
        name="藏式手工艺创业团队",
        legal_form=LegalForm.UNREGISTERED_TEAM,
        status=StartupStatus.APPLIED,
    )
    return {"founder.aqiong": aqiong.id}
