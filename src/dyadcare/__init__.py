"""dyadcare: dyadic behavioral health care in pediatric primary care, birth to three."""

__version__ = "0.1.0"
