from django.db import models


class TokenBucket(models.Model):
    """Rate-limit state for one (scope, key) pair; see qrtrace.lib.ratelimit.

    Only a keyed hash of the pair is stored, never the IP address or phone number itself.
    """

    key = models.CharField(max_length=64, unique=True)
    tokens = models.FloatField()
    updated = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["updated"], name="lib_tokenbucket_updated")]

    def __str__(self) -> str:
        # The key is a hash; its prefix is enough to tell buckets apart in the admin and in logs.
        return f"{self.key[:12]}: {self.tokens:.2f} tokens"
