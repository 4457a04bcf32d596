from enum import StrEnum

class ConsolidatedMeasureKind(StrEnum):
    EXPORT_CONTROL = "export_control"
    IMPORT_BAN = "import_ban"
    INVESTIGATION = "investigation"
    OTHER = "other"
    PORT_FEE = "port_fee"
    PURCHASE = "purchase"
    SANCTION = "sanction"
    TARIFF = "tariff"
    TRUCE = "truce"

    def __str__(self) -> str:
        return str(self.value)
