export { type ConsoleOptions, ConsoleServer } from "./console-server.js";
