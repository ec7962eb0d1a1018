from verification.models.attempts import ONLINE_METHODS, MethodAttempt
from verification.models.certificates import CertificateChallenge, SimulatedCertificate, SimulatedCertificateAuthority
from verification.models.checks import CheckPurpose, IdentityCheck
from verification.models.mobile import MobileChallenge, MobileChannel
from verification.models.phone import PushProvider, PushRequest, PushStatus, SimulatedPhoneMessage
from verification.models.registry import Sex, SimulatedRegistryPerson, SimulatedTelecomSubscriber, Telecom

__all__ = [
    "ONLINE_METHODS",
    "CertificateChallenge",
    "CheckPurpose",
    "IdentityCheck",
    "MethodAttempt",
    "MobileChallenge",
    "MobileChannel",
    "PushProvider",
    "PushRequest",
    "PushStatus",
    "Sex",
    "SimulatedCertificate",
    "SimulatedCertificateAuthority",
    "SimulatedPhoneMessage",
    "SimulatedRegistryPerson",
    "SimulatedTelecomSubscriber",
    "Telecom",
]
