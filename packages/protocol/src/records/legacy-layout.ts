/**
 * Legacy message (magic 0/1) sizes; wire-format-notes section 4.
 * crc(4) magic(1) attributes(1) [timestamp(8), magic 1] keyLength(4) valueLength(4).
 */
export const LEGACY_MIN_MESSAGE_SIZE: Readonly<Record<0 | 1, number>> = { 0: 14, 1: 22 };
/** offset(8) + message_size(4) before each message. */
export const LEGACY_LOG_OVERHEAD = 12;
/** The CRC-32 covers magic .. end of value, i.e. all after the crc field. */
export const LEGACY_CRC_START = 4;
export const LEGACY_COMPRESSION_MASK = 0x07;
export const LEGACY_TIMESTAMP_TYPE_BIT = 0x08;
