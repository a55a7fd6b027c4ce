"""Lists serialized lean: the same output as the serializer's, field for field, for a
fraction of the time DRF spends per field and row.

A page of 50 households cost DRF about 5,000 calls of its generic machinery (a
``get_attribute`` that tries callables, dictionaries and defaults; a ``PKOnlyObject`` per
foreign key; a related manager per row and relation), and the labels' prefetch built a
model instance per label and a manager per household. ``LeanListSerializer`` plans each
field once per list, from the serializer's own fields (the schema's source of truth):

- a column of the model, read by its attribute and given to the field's own
  ``to_representation`` (or to ``str``/``int`` for a field that does no more than that);
- a foreign key sent as its id, read from the row's ``<name>_id`` as DRF's pk-only
  optimisation reads it;
- a many-to-many sent by a slug (a household's label codes), fetched for the whole page in
  one query of two columns, in the order the serializer's ``Meta.lean_orderings`` gives;
- anything else (a method field, a dotted source, a field whose representation depends on
  the user, such as a masked ID number) exactly as DRF does it, field by field.

Whatever the plan, a row is the dict ``child.to_representation(row)`` would have made:
tests compare the two.
"""

import datetime

from django.db import models
from rest_framework import ISO_8601, relations, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

# Fields whose ``to_representation`` is, as DRF writes it, a builtin applied to the value.
_BUILTIN = {
    serializers.CharField.to_representation: str,
    serializers.IntegerField.to_representation: int,
}

_COLUMN, _PK, _MANY, _DRF = range(4)


def _converter(field):
    builtin = _BUILTIN.get(type(field).to_representation)
    if builtin:
        return builtin
    if _plain_iso_datetime(field):
        return _iso_datetime(field, field.default_timezone())
    return field.to_representation


def _plain_iso_datetime(field) -> bool:
    """A DateTimeField as DRF writes it: ISO 8601 in the current time zone."""
    cls = type(field)
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return (
        cls.to_representation is serializers.DateTimeField.to_representation
        and cls.enforce_timezone is serializers.DateTimeField.enforce_timezone
        and cls.default_timezone is serializers.DateTimeField.default_timezone
        and not hasattr(field, "timezone")
        and isinstance(output, str)
        and output.lower() == ISO_8601
    )


def _iso_datetime(field, zone):
    """DateTimeField.to_representation with the time zone looked up once per list rather
    than per value (a thread-local read each time); anything unusual goes to DRF."""

    def represent(value):
        if zone is None or not isinstance(value, datetime.datetime) or value.utcoffset() is None:
            return field.to_representation(value)
        try:
            text = value.astimezone(zone).isoformat()
        except OverflowError:
            return field.to_representation(value)  # DRF's own refusal
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return represent


class LeanListSerializer(serializers.ListSerializer):
    """``list_serializer_class`` of a model serializer whose lists must be cheap."""

    def to_representation(self, data):
        rows = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        if not rows:
            return []
        plan = self._plan(rows)
        many = {name: self._fetch_many(field, rows) for kind, name, field, _how in plan if kind == _MANY}
        out = []
        for row in rows:
            item = {}
            for kind, name, field, how in plan:
                if kind == _COLUMN:
                    value = getattr(row, how[0])
                    item[name] = None if value is None else how[1](value)
                elif kind == _PK:
                    item[name] = getattr(row, how)
                elif kind == _MANY:
                    item[name] = many[name].get(row.pk, [])
                else:
                    try:
                        attribute = field.get_attribute(row)
                    except SkipField:
                        continue
                    check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
                    item[name] = None if check is None else field.to_representation(attribute)
            out.append(item)
        return out

    def _plan(self, rows):
        child = self.child
        model = child.Meta.model
        orderings = getattr(child.Meta, "lean_orderings", {})
        columns = {f.name: f for f in model._meta.concrete_fields}
        m2m = {f.name: f for f in model._meta.many_to_many}
        prefetched = getattr(rows[0], "_prefetched_objects_cache", {})
        plan = []
        for field in child._readable_fields:
            name = field.field_name
            source = field.source_attrs[0] if len(field.source_attrs) == 1 else None
            column = columns.get(source)
            pk_only = isinstance(field, relations.RelatedField) and field.use_pk_only_optimization()
            if (
                isinstance(field, relations.PrimaryKeyRelatedField)
                and field.pk_field is None
                and column is not None
                and column.is_relation
            ):
                plan.append((_PK, name, field, column.attname))
            elif (
                isinstance(field, relations.ManyRelatedField)
                and isinstance(field.child_relation, relations.SlugRelatedField)
                and source in m2m
                and source in orderings
                and source not in prefetched  # fetched already: read as DRF reads it
            ):
                plan.append((_MANY, name, field, None))
            elif (
                column is not None
                and not pk_only
                and not isinstance(field, serializers.BaseSerializer | relations.ManyRelatedField)
            ):
                # A column, or a related row (select_related) given to the field as DRF gives it.
                attribute = source if column.is_relation else column.attname
                plan.append((_COLUMN, name, field, (attribute, _converter(field))))
            else:
                plan.append((_DRF, name, field, None))
        return plan

    def _fetch_many(self, field, rows):
        """Each row's slugs of a many-to-many relation, in one query for the page."""
        m2m = self.child.Meta.model._meta.get_field(field.source_attrs[0])
        through = m2m.remote_field.through
        own, other = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        own_column = through._meta.get_field(own).attname
        slug = field.child_relation.slug_field
        ordering = [
            f"-{other}__{key[1:]}" if key.startswith("-") else f"{other}__{key}"
            for key in self.child.Meta.lean_orderings[field.source_attrs[0]]
        ]
        represent = field.child_relation.to_representation
        found = {}
        pairs = (
            through._default_manager.filter(**{f"{own}__in": [row.pk for row in rows]})
            .order_by(*ordering)
            .values_list(own_column, f"{other}__{slug}")
        )
        for pk, value in pairs:
            found.setdefault(pk, []).append(value)
        if type(field.child_relation).to_representation is not relations.SlugRelatedField.to_representation:
            # A slug field that represents its row otherwise: as DRF would, from the row.
            return {pk: [represent(v) for v in values] for pk, values in found.items()}
        return found
