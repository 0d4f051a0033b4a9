export interface Config {
  /** Settings of the Meter SIEM integration product. */
  meterSiem?: {
    /**
     * Meter's service role, trusted by every integration role.
     * Defaults to arn:aws:iam::458553032353:role/Meter-data-export.
     */
    meterPrincipalArn?: string;
    /** Prefix of the AWS resource names; defaults to `meter-siem-`. */
    namePrefix?: string;
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
  };
}
