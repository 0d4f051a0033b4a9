import { HumanDuration } from '@backstage/types';

export interface Config {
  /**
   * Settings of the Meter SIEM product, shared by its backend packages (the
   * scaffolder actions, the catalog provider, the audit and the external ID
   * API). Declared here, in the package they all depend on, and only here;
   * each package declares its own keys besides (`meterSiem.audit`,
   * `meterSiem.permissions`, `catalog.providers.meterSiem`).
   */
  meterSiem?: {
    /**
     * Meter's service role, trusted by every integration role.
     * Defaults to arn:aws:iam::458553032353:role/Meter-data-export.
     */
    meterPrincipalArn?: string;
    /** Prefix of the AWS resource names; defaults to `meter-siem-`. */
    namePrefix?: string;
    /** Keys of the AWS tags the product writes and reads. */
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
    /**
     * Group whose members may act on every Meter SIEM integration and read
     * every external ID, besides each integration's owning group, e.g.
     * `group:default/platform`. None by default.
     */
    adminGroup?: string;
    /**
     * How the backend packages' AWS clients wait and retry. Throttling, 5xx
     * answers, resets and timeouts are retried with backoff (adaptive mode).
     */
    awsClient?: {
      /**
       * Time to open a connection to AWS, e.g. `{ seconds: 5 }` or an ISO
       * duration. Defaults to 5 seconds.
       */
      connectionTimeout?: HumanDuration | string;
      /**
       * Time a request may go without an answer before it is abandoned (and
       * retried), e.g. `{ seconds: 30 }`. Defaults to 30 seconds.
       */
      requestTimeout?: HumanDuration | string;
      /** Attempts per AWS call, the first included. Defaults to 6. */
      maxAttempts?: number;
    };
  };
}
