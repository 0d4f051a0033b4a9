export interface Config {
  meterSiem?: {
    /**
     * Group whose members may act on every Meter SIEM integration and read
     * every external ID, besides each integration's owning group, e.g.
     * `group:default/platform`. None by default.
     */
    adminGroup?: string;
  };
}
