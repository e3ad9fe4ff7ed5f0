/*
 * minios-guest/workloads/grant-attacks.c — placeholder, written next.
 */
int grant_attacks_main(void) { return 0; }
