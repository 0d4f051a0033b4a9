export { HomePage, HOME_DESCRIPTION } from './HomePage';
