export { BrokenStream, CaptureStream } from './capture-stream.js';
