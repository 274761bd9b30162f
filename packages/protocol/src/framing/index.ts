export { encodeFrame, frameSizePrefix } from "./encode-frame.js";
export {
  DEFAULT_MAX_FRAME_SIZE,
  type FrameDecodeResult,
  FrameDecoder,
  type FrameDecoderOptions,
  FrameSizeError,
} from "./frame-decoder.js";
export {
  type PeekedRequestHeader,
  peekRequestHeader,
  type RequestHeaderPeek,
} from "./request-header-peek.js";
