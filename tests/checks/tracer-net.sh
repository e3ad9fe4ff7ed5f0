#!/usr/bin/env bash
# tests/checks/tracer-net.sh — the tracer on the split network: what the
# rings view, `hvtrace seq` and the topology say about a real run must agree
# with the trace's own records and with what the drivers counted.
#
# Runs the net-split scenario (tests/run-scenario.sh), then on its trace:
# each device's packets by verdict are the trace's net_pkt records counted
# by hand (grep), its requests taken and answered the io_req / io_rsp
# records; the card's interrupts (irq 9) in dom0; `hvtrace seq --pkt` of the
# first packet from the wire goes from the card's interrupt to the domU's
# receive buffer and the push of it, and of the first one forwarded between
# domUs from the sender's transmit request to the receiver's buffer, with
# both front ends' lifelines; the topology names both devices and the line.
#
# One test of `make test`: exit 0 = pass.
set -u
. "$(dirname "$0")/../lib-check.sh"       # check_start, fail, in_order
check_start

# ---- net-split -------------------------------------------------------------
tests/run-scenario.sh net-split >"$CHECK_DIR/net.out" 2>&1 || { tail -20 "$CHECK_DIR/net.out"; fail "net-split"; }
D=$BUILD/scenarios/net-split
"$HVTRACE" live -b -r "$D/trace.bin" >"$CHECK_DIR/rings.txt" || fail "live -b on net-split"
for id in 1 2; do
    line=$(grep -A1 -E "^$id +net +d$id " "$CHECK_DIR/rings.txt" | tail -n 1)
    [ -n "$line" ] || { cat "$CHECK_DIR/rings.txt"; fail "rings: net device $id"; }
    taken=$(grep -cE " io_req +dev=$id end=back " "$D/trace.txt")
    answered=$(grep -cE " io_rsp +dev=$id end=back " "$D/trace.txt")
    grep -qE "taken $taken answered $answered out_of_order [0-9]+ failed 0 waiting " <<<"$line" ||
        fail "rings: device $id taken $taken answered $answered (the trace's io notes): $line"
    for v in to_guest to_wire forward drop_nobody arp_reply; do
        n=$(grep -cE " net_pkt +dev=$id .*verdict=$v " "$D/trace.txt")
        if [ "$n" -gt 0 ]; then
            grep -qF " $v=$n" <<<"$line" || fail "rings: device $id $v=$n (the trace's net_pkt): $line"
        else
            grep -qF " $v=" <<<"$line" && fail "rings: device $id shows $v, the trace has none: $line"
        fi
    done
done
grep -qE "irq9->d0:[0-9]+=[1-9]" "$CHECK_DIR/rings.txt" || fail "rings: the card's interrupts"
# The first packet from the wire and the first forwarded, by their place
# among the net_pkt records.
k=$(grep " net_pkt " "$D/trace.txt" | grep -nm1 "verdict=to_guest" | cut -d: -f1)
"$HVTRACE" seq --pkt "$k" "$D/trace.bin" >"$CHECK_DIR/seq.txt" || fail "seq --pkt $k"
in_order "$CHECK_DIR/seq.txt" "pirq irq 9 -> port" "io_rsp id=[0-9]+ rx on dev [0-9]+ status=" \
    "ring_push responses: rsp_prod=" "net_pkt .*: to_guest to dev" ||
    fail "seq of packet $k (from the wire)"
grep -q "(from the wire)" "$CHECK_DIR/seq.txt" || fail "seq of packet $k: not from the wire"
k=$(grep " net_pkt " "$D/trace.txt" | grep -nm1 "verdict=forward" | cut -d: -f1)
"$HVTRACE" seq --pkt "$k" "$D/trace.bin" >"$CHECK_DIR/seq.txt" || fail "seq --pkt $k"
in_order "$CHECK_DIR/seq.txt" "ring_push requests: req_prod=" "io_req id=[0-9]+ tx len=" \
    "io_rsp id=[0-9]+ tx status=" "io_rsp id=[0-9]+ rx on dev [0-9]+ status=" \
    "net_pkt .*: forward to dev" || fail "seq of packet $k (forwarded)"
grep -qE "d[0-9]+ front +hypervisor +d0 back +d[0-9]+ front \(dev [0-9]+\)" "$CHECK_DIR/seq.txt" ||
    { cat "$CHECK_DIR/seq.txt"; fail "seq of packet $k: both front ends' lifelines"; }
"$HVTRACE" dot topology "$D/trace.bin" | dot -Tsvg -o "$CHECK_DIR/net.svg" || fail "net topology"
for w in "net device 1" "net device 2" "irq 9"; do
    grep -qF "$w" "$CHECK_DIR/net.svg" || fail "net topology: no '$w'"
done
echo "ok net-split: packets by verdict as the trace says, seq from the wire and between domUs, topology"
echo "tracer-net: all ok"
