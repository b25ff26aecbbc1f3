/**
 * What otaflow takes from outside (README "Input limits"). A value past one of these is a
 * broken or hostile record, never clamped: the parser refuses it (dead letter), naming the
 * field. Lengths count UTF-16 code units (`String.length`).
 */

/** deviceId, campaignId, commandId, cellId: AWS IoT thing names and Azure IoT Hub device ids stop at 128 too. */
export const MAX_ID_CHARS = 128;

/** make, model, firmware/software/target/from versions, IMEI, client type and status, window fields. */
export const MAX_NAME_CHARS = 128;

/** A package URL or checksum: the common browser and CDN URL limit. */
export const MAX_TEXT_CHARS = 2048;

/** Device ids in one command (a SCHEDULE part, REMOVE_DEVICES, verbose logging): one part's state stays well under 1 MiB. */
export const MAX_DEVICE_IDS = 10_000;

/** Entries of a short list of names: a request's fromVersions, a window's weekdays. */
export const MAX_LIST_NAMES = 100;

/** No device, gateway or operator of otaflow's time sent anything earlier; a smaller value is a unit error (seconds) or zero. */
export const EARLIEST_TIMESTAMP = Date.UTC(2000, 0, 1);

/** R-REQ-2 dates: a schedule further ahead of its request than this is a typo (R-REQ-5: RequestFailed). */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3_600_000;

/**
 * Package checksum algorithms and their hex digits: `<algorithm>:<hex>`. Only collision-resistant
 * hashes: a device flashes what matches, so md5 and sha1 would let a forged image through.
 */
export const CHECKSUM_HEX_DIGITS: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

/** How much of a refused value a reason quotes: enough to recognise it, never a 200 KB string. */
export const SHOWN_CHARS = 64;
