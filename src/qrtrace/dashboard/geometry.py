"""GeoJSON polygons as plain data: validated before they are kept, and the centre of a set of points."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_POSITIONS = 50_000


def _ring(ring: object) -> int:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(_("Each polygon ring needs at least four positions."))
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) < 2
            or not all(
                isinstance(value, int | float) and not isinstance(value, bool) for value in position[:2]
            )
        ):
            raise ValidationError(_("A position is [longitude, latitude] in numbers."))
        lng, lat = position[0], position[1]
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValidationError(_("A position lies outside longitude −180…180 or latitude −90…90."))
    if ring[0][:2] != ring[-1][:2]:
        raise ValidationError(_("A polygon ring must end where it starts."))
    return len(ring)


def validate_polygon(geometry: object) -> dict:
    """A GeoJSON Polygon or MultiPolygon geometry (a Feature's geometry is taken from it), or raise."""
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(_("Give a GeoJSON Polygon or MultiPolygon."))
    coordinates = geometry.get("coordinates")
    polygons = [coordinates] if geometry["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(_("The polygon has no coordinates."))
    positions = 0
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_("The polygon has no coordinates."))
        positions += sum(_ring(ring) for ring in polygon)
    if positions > MAX_POSITIONS:
        raise ValidationError(
            _("The shape has more than %(max)s points: simplify it.") % {"max": MAX_POSITIONS}
        )
    return {"type": geometry["type"], "coordinates": coordinates}
