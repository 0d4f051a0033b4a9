import { HumanDuration } from '@backstage/types';

export interface Config {
  /** The audit's keys; the shared ones are declared by meter-siem-node. */
  meterSiem?: {
    /** The audit of ownership tags (`GET /api/meter-siem/findings`). */
    audit?: {
      /**
       * Tag keys every stream and role must carry (rule
       * `required-tag-missing`; the owner tag has its own rule).
       * Defaults to the owner and environment tag keys.
       */
      requiredTags?: string[];
      /**
       * Per tag key, the only values it may take (rule
       * `tag-value-not-allowed`). Keys not listed take any value.
       */
      allowedValues?: { [tagKey: string]: string[] };
      /**
       * Facts the catalog has not read from AWS for longer than this get a
       * `facts-stale` finding (with the error the syncs since failed on).
       * Defaults to 2 hours.
       */
      staleAfter?: HumanDuration | string;
      /**
       * How long a rotation of the external ID may stay half-done (the role
       * accepting the old and the new ID) before the audit reports it
       * (`rotation-half-done`). Defaults to 24 hours.
       */
      rotationMaxAge?: HumanDuration | string;
    };
  };
}
