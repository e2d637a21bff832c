# shellcheck shell=bash
# The linuxbridge agent's root-namespace firewall state, removed while the
# agent is stopped: iptables/ip6tables neutron-linuxbri-* chains and the
# ebtables neutronMAC-/neutronARP- chains. Only names the agent owns are
# touched. Sourced by scripts/demo.sh and tests/l3/run.sh.

lb_iptables_clean() {
	local t cmd ch rule
	for cmd in iptables ip6tables; do
		for t in filter raw mangle nat; do
			$cmd -t $t -S 2>/dev/null | grep -- '-j neutron-linuxbri' | grep '^-A' |
				sed 's/^-A/-D/' | while read -r rule; do
				# shellcheck disable=SC2086
				$cmd -t $t $rule 2>/dev/null
			done
			# flush every chain first: they jump to each other
			for ch in $($cmd -t $t -S 2>/dev/null | awk '/^-N neutron-linuxbri/{print $2}'); do
				$cmd -t $t -F "$ch" 2>/dev/null
			done
			for ch in $($cmd -t $t -S 2>/dev/null | awk '/^-N neutron-linuxbri/{print $2}'); do
				$cmd -t $t -X "$ch" 2>/dev/null
			done
		done
	done
}

# Debian 12's ebtables-nft cannot delete the agent's --among-src rules (the
# agent then retries forever): remove its chains while it is stopped.
lb_ebtables_clean() {
	local ch tap
	for ch in $(ebtables -t nat -L 2>/dev/null | awk '/^Bridge chain: neutron(MAC|ARP)-/{sub(",","",$3); print $3}'); do
		tap=${ch#neutronMAC-}
		tap=${tap#neutronARP-}
		ebtables -t nat -D PREROUTING -i "$tap" -j "$ch" 2>/dev/null
		ebtables -t nat -D PREROUTING -p ARP -i "$tap" -j "$ch" 2>/dev/null
		ebtables -t nat -F "$ch" 2>/dev/null && ebtables -t nat -X "$ch" 2>/dev/null
	done
}
