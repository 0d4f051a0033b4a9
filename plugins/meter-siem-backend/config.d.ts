export interface Config {
  /** Settings of the Meter SIEM integration product. */
  meterSiem?: {
    /** Tag keys written on (and read from) every AWS resource. */
    tagKeys?: {
      /** Defaults to `owner`. */
      owner?: string;
      /** Defaults to `environment`. */
      environment?: string;
      /** Defaults to `managed-by`. */
      managedBy?: string;
      /** Defaults to `meter-siem-integration`. */
      integration?: string;
      /** Defaults to `system`; written only when the integration has a system. */
      system?: string;
    };
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
    };
  };
}
