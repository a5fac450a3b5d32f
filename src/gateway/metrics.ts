/** Counters of one gateway process, for a metrics endpoint or logs. */
export interface GatewayCounters {
  connectionsAccepted: number;
  connectionsRefused: number;
  /** Connections dropped because the device's identity changed (disabled, deleted, keys changed). */
  connectionsRevoked: number;
  /** Connections ended because their SAS token expired. */
  connectionsExpired: number;
  telemetryMessages: number;
  methodRequests: number;
  methodResponses: number;
  methodTimeouts: number;
  twinGets: number;
  twinReportedPatches: number;
  desiredNotifications: number;
  refusedPublishes: number;
  refusedSubscriptions: number;
}

export class GatewayMetrics {
  readonly counters: GatewayCounters = {
    connectionsAccepted: 0,
    connectionsRefused: 0,
    connectionsRevoked: 0,
    connectionsExpired: 0,
    telemetryMessages: 0,
    methodRequests: 0,
    methodResponses: 0,
    methodTimeouts: 0,
    twinGets: 0,
    twinReportedPatches: 0,
    desiredNotifications: 0,
    refusedPublishes: 0,
    refusedSubscriptions: 0,
  };
  private readonly telemetry = new Map<string, number>();

  count(counter: keyof GatewayCounters, by = 1): void {
    this.counters[counter] += by;
  }

  countTelemetry(deviceId: string): void {
    this.counters.telemetryMessages += 1;
    this.telemetry.set(deviceId, (this.telemetry.get(deviceId) ?? 0) + 1);
  }

  /** Telemetry messages accepted from one device by this process since it started. */
  telemetryFrom(deviceId: string): number {
    return this.telemetry.get(deviceId) ?? 0;
  }

  snapshot(): GatewayCounters {
    return { ...this.counters };
  }
}
