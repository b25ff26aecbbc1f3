/** Shapes that several topics' payloads share. */
export type Protocol = 'LWM2M' | 'OMA_DM' | 'HTTP' | 'MQTT';

export type Api = 'V1' | 'V2';

export interface Radio {
  readonly cellId: string;
  readonly rsrp: number | null;
  readonly sinr: number | null;
}

export interface PackageRef {
  readonly url: string;
  readonly sizeBytes: number;
  /** `sha256:<hex>` or `sha512:<hex>` (services/campaign/package-ref.ts). */
  readonly checksum: string;
  /**
   * A signature of the package that devices able to check authenticity verify, passed to them
   * unchanged (device.commands `package.signature`). No campaign request carries one yet: the
   * campaign-command schema gains the field in a later change, and until then it is absent here.
   */
  readonly signature?: string | null;
}

/** A daily local-time window (R-REQ-2): `start`/`end` are HH:mm in `timeZone`, on `weekdays` (SUN..SAT). */
export interface Window {
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
  readonly weekdays: readonly string[];
}

/** schemas/campaign-command.avsc Schedule (R-REQ-1, R-REQ-2). */
export interface Schedule {
  readonly kind: 'ON_DEMAND' | 'FUTURE';
  readonly startAt: number | null;
  readonly endAt: number | null;
  readonly window: Window | null;
  readonly downloadWindow: Window | null;
  readonly applyWindow: Window | null;
}

export interface RetryPolicy {
  readonly attempts: number;
  readonly intervalMinutes: number;
}

/** Which devices a campaign is for and what it brings them (R-REQ-1). */
export interface UpgradeTarget {
  readonly api: Api;
  readonly protocol: Protocol;
  readonly make: string;
  readonly model: string;
  readonly fromVersions: readonly string[];
  readonly targetVersion: string;
  readonly packageKind: 'FIRMWARE' | 'SOFTWARE';
  readonly package: PackageRef;
}

/** What a campaign asks of each of its devices; the same for every device of the campaign. */
export interface OfferTerms extends UpgradeTarget {
  readonly retry: RetryPolicy | null;
  readonly windows: { readonly update: Window | null; readonly download: Window | null; readonly apply: Window | null };
}

/** `halt` (R-SAFE-1): a device that has not begun its download stops; one that has finishes, without retries. */
export type ControlAction = 'start' | 'cancel' | 'abort' | 'end' | 'remove' | 'halt';

export type ResultStatus = 'UpgradeSuccess' | 'UpgradeFailed' | 'CampaignCancelled' | 'CampaignAborted';
