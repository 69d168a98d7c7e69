"""All models of the module; importing this package registers every table."""

from .base import (
    Base,
    ContactType,
    CorrespondenceType,
    CriteriaAction,
    CriteriaLineType,
    DeliveryStatus,
    Evaluation,
    HistoryKind,
    InformationFlow,
    InitiatedBy,
)
from .contacts import (
    BusinessRelation,
    Campaign,
    Contact,
    ContactBusinessRelation,
    ContactIndustryGroup,
    ContactJobResponsibility,
    ContactMailingGroup,
    ContactProfileAnswer,
    IndustryGroup,
    JobResponsibility,
    Language,
    MailingGroup,
    ProfileQuestionnaire,
    ProfileQuestionnaireLine,
    Salesperson,
)
from .interactions import (
    Attachment,
    InteractionGroup,
    InteractionTemplate,
    InteractionTemplateLanguage,
    SalutationFormula,
)
from .logged import (
    CompanyInformation,
    InteractionLogEntry,
    Job,
    LoggedSegment,
    NumberSeries,
)
from .segments import (
    LINE_VALUE_COLUMNS,
    SavedSegmentCriteria,
    SavedSegmentCriteriaLine,
    SegmentCriteriaLine,
    SegmentHeader,
    SegmentHistory,
    SegmentLine,
)

__all__ = [name for name in dir() if not name.startswith("_")]
