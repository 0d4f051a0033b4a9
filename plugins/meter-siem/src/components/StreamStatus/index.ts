export { StreamStatus } from './StreamStatus';
